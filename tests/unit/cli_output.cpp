// The CLI's output formats (src/cli/json_output.hpp) against outputs worked
// out by hand from the AWS CLI's rules (awscli/text.py, table.py and the
// ruamel.yaml safe dumper its YAMLFormatter uses).
#include "cli/json_output.hpp"

#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

namespace {

namespace json = boost::json;
using namespace ivschat::cli;

}  // namespace

TEST_CASE("cli output text: lists of structures, nested scalars, Python's str()", "[cli][output]") {
    const json::value rooms = json::parse(R"({"rooms": [{"arn": "a1", "name": "x", "tags": {"t": "1"}},
        {"arn": "a2", "name": "y", "maximumMessageLength": 5, "tags": {}}], "nextToken": "n"})");
    // Scalars of the top object first; then one ROOMS line per room with the
    // columns (arn, maximumMessageLength, name) of all rooms, empty when absent.
    CHECK(aws_text(rooms) == "n\nROOMS\ta1\t\tx\nTAGS\t1\nROOMS\ta2\t5\ty\n");
    CHECK(aws_text(json::parse(R"({"capabilities": ["SEND_MESSAGE", "DELETE_MESSAGE"]})")) ==
          "CAPABILITIES\tSEND_MESSAGE\nCAPABILITIES\tDELETE_MESSAGE\n");
    CHECK(aws_text(json::parse(R"(["a", "b"])")) == "a\tb\n");
    CHECK(aws_text(json::parse(R"([1, [2, 3], "x"])")) == "1\tx\n2\t3\n");
    CHECK(aws_text(json::parse(R"({"b": true, "a": null, "c": 2.5})")) == "None\tTrue\t2.5\n");
    CHECK(aws_text(json::value("lobby")) == "lobby\n");
    CHECK(aws_text(json::parse("[]")).empty());
}

TEST_CASE("cli output table: the boxed layout with the operation as title", "[cli][output]") {
    const json::value room = json::parse(R"({"arn": "arn:x", "name": "lobby", "maximumMessageLength": 500,
                                             "tags": {"team": "chat"}})");
    // Widths: columns 5+4, 20+4, 5+4 = 42, plus the border: 44; scaled to 44
    // they are 9, 25, 10. The nested "tags" section is indented by one bar.
    const std::string expected =
        "--------------------------------------------\n"
        "|                  GetRoom                 |\n"
        "+-------+------------------------+---------+\n"
        "|  arn  | maximumMessageLength   |  name   |\n"
        "+-------+------------------------+---------+\n"
        "|  arn:x|  500                   |  lobby  |\n"
        "+-------+------------------------+---------+\n"
        "||                  tags                  ||\n"
        "|+-------------------+--------------------+|\n"
        "||  team             |  chat              ||\n"
        "|+-------------------+--------------------+|\n";
    CHECK(aws_table(room, "GetRoom") == expected);

    // A list of structures: one header row, one row per element. The widest
    // section is "rooms": columns 2+4 and 4+4, border 2, indent 2 = 18; its
    // 16 inner columns scale 6 and 8 to 7 and 9.
    const json::value list = json::parse(R"({"rooms": [{"id": "a", "name": "one"}, {"id": "b"}]})");
    const std::string expected_list =
        "------------------\n"
        "|    ListRooms   |\n"
        "+----------------+\n"
        "||     rooms    ||\n"
        "|+-----+--------+|\n"
        "|| id  | name   ||\n"
        "|+-----+--------+|\n"
        "||  a  |  one   ||\n"
        "||  b  |        ||\n"
        "|+-----+--------+|\n";
    CHECK(aws_table(list, "ListRooms") == expected_list);
    CHECK(aws_table(json::parse("{}"), "DeleteRoom").empty());
}

TEST_CASE("cli output table: too wide for the terminal turns vertical", "[cli][output]") {
    const json::value room = json::parse(R"({"a": "xxxxxxxxxx", "b": "yyyyyyyyyy"})");
    // 30 columns do not fit in 20: the row becomes "a | x..." and "b | y...",
    // 1+4 and 10+4 plus the border = 21, scaled 5 and 14 to 6 and 15.
    const std::string vertical = aws_table(room, "T", 20);
    CHECK(vertical ==
          "---------------------\n"
          "|         T         |\n"
          "+----+--------------+\n"
          "|  a |  xxxxxxxxxx  |\n"
          "|  b |  yyyyyyyyyy  |\n"
          "+----+--------------+\n");
}

TEST_CASE("cli output yaml: sorted keys, quoting, sequences, folding", "[cli][output]") {
    const json::value rooms = json::parse(R"({"rooms": [{"name": "lobby", "arn": "arn:aws:x", "tags": {"a": "1"},
        "maximumMessageLength": 500, "empty": [], "created": "2024-01-01T00:00:00.000Z"}], "nextToken": null})");
    CHECK(aws_yaml(rooms) ==
          "nextToken: null\n"
          "rooms:\n"
          "- arn: arn:aws:x\n"
          "  created: '2024-01-01T00:00:00.000Z'\n"
          "  empty: []\n"
          "  maximumMessageLength: 500\n"
          "  name: lobby\n"
          "  tags:\n"
          "    a: '1'\n");
    CHECK(aws_yaml(json::parse(R"({"a": "yes", "b": "true", "c": "", "d": "a: b", "e": "- x", "f": "#x",
        "g": "it's", "h": "line\nbreak\u001b", "i": " lead", "j": 1.0, "k": "1e3"})")) ==
          "a: yes\nb: 'true'\nc: ''\nd: 'a: b'\ne: '- x'\nf: '#x'\ng: it's\nh: \"line\\nbreak\\e\"\n"
          "i: ' lead'\nj: 1.0\nk: '1e3'\n");
    CHECK(aws_yaml(json::parse(R"([["a", "b"], []])")) == "- - a\n  - b\n- []\n");
    CHECK(aws_yaml(json::parse(R"({"m": {"n": {"o": "p"}}})")) == "m:\n  n:\n    o: p\n");
    CHECK(aws_yaml(json::value("lobby")) == "\"lobby\"\n");
    CHECK(aws_yaml(json::parse("{}")).empty());

    // Plain text folds at the first single space past column 80,
    // continuing two spaces in.
    std::string words;
    for (int i = 0; i < 30; ++i) words += (i ? " " : "") + std::string("word");
    std::string first, second;
    for (int i = 0; i < 16; ++i) first += (i ? " " : "") + std::string("word");
    for (int i = 0; i < 14; ++i) second += (i ? " " : "") + std::string("word");
    CHECK(aws_yaml(json::object{{"k", words}}) == "k: " + first + "\n  " + second + "\n");
}

TEST_CASE("cli output json: 4-space indent, numbers as Python prints them", "[cli][output]") {
    CHECK(pretty_json(json::parse(R"({"a": [1, 2.75], "b": {}})")) ==
          "{\n    \"a\": [\n        1,\n        2.75\n    ],\n    \"b\": {}\n}\n");
}

// Values and member names come from the wire: a tag value with ESC[2J must
// not clear the user's terminal, nor a tab, CR or LF forge columns and lines.
TEST_CASE("cli output text: control characters from the wire are escaped", "[cli][output]") {
    const json::value room = json::parse(R"({"rooms": [{"name": "\u001b[2Jlobby",
        "tags": {"t": "a\r\nROOMS\tforged\u007f\u009b31m"}}]})");
    CHECK(aws_text(room) == "ROOMS\t\\x1b[2Jlobby\nTAGS\ta\\r\\nROOMS\\tforged\\x7f\\u009b31m\n");
    // A member's name prints too, as the first column of its lines.
    CHECK(aws_text(json::parse(R"({"caps\u001b]0;x\u0007": ["a"]})")) == "CAPS\\x1b]0;X\\x07\ta\n");
    // Multi-byte text that is not a control is printed as it is.
    CHECK(aws_text(json::parse(R"({"name": "caf\u00e9 \u65e5\u672c"})")) == "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac\n");
}

TEST_CASE("cli output table: control characters are escaped, widths count the escapes", "[cli][output]") {
    // "name" and "\x1b[2J" (7 columns once escaped): 4+4 and 7+4 plus the
    // border = 21, scaled 8 and 11 to 9 and 12.
    CHECK(aws_table(json::parse(R"({"name": "\u001b[2J"})"), "GetRoom") ==
          "---------------------\n"
          "|      GetRoom      |\n"
          "+-------+-----------+\n"
          "|  name |  \\x1b[2J  |\n"
          "+-------+-----------+\n");
    // Names become headers and titles: escaped there too.
    const std::string table =
        aws_table(json::parse(R"({"a\nb": "x", "c\u009b": "y", "t\r": {"k": "v"}})"), "T\u001b");
    CHECK(table.find_first_of("\x1b\r") == std::string::npos);
    CHECK(table.find("\xc2\x9b") == std::string::npos);
    CHECK(table.find("a\\nb") != std::string::npos);
    CHECK(table.find("c\\u009b") != std::string::npos);
    CHECK(table.find("t\\r") != std::string::npos);
    CHECK(table.find("T\\x1b") != std::string::npos);
}

TEST_CASE("cli output json: DEL and C1 controls, which JSON allows raw, are written as escapes", "[cli][output]") {
    const json::value value = json::parse(R"({"k\u009b": "\u001b[2J\u007f\u009b31m caf\u00e9"})");
    const std::string printed = pretty_json(value);
    CHECK(printed == "{\n    \"k\\u009b\": \"\\u001b[2J\\u007f\\u009b31m caf\xc3\xa9\"\n}\n");
    CHECK(json::parse(printed) == value);
}

TEST_CASE("cli output chat: a frame prints as one compact JSON line with controls escaped", "[cli][output]") {
    // C1 CSI both as a JSON escape and as raw UTF-8 in the frame's text.
    const std::string frame = "{\"Type\": \"MESSAGE\", \"Content\": \"\\u001b[2J\\r\\n\\u009b1m\xc2\x9b" "2m\\u007f\"}";
    const std::string line = chat_frame_line(frame);
    CHECK(line == R"({"Type":"MESSAGE","Content":"\u001b[2J\r\n\u009b1m\u009b2m\u007f"})");
    CHECK(json::parse(line) == json::parse(frame));
    // Text that is not JSON is escaped for the terminal.
    CHECK(chat_frame_line("not json \x1b[2J\r\n\xc2\x9b") == "not json \\x1b[2J\\r\\n\\u009b");
    CHECK(chat_frame_line(R"({"Content":"caf\u00e9"})") == "{\"Content\":\"caf\xc3\xa9\"}");
}
