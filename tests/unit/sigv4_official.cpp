// The official SigV4 test suite (aws-c-auth), header signing, byte for byte.
#include <ivschat/sigv4.hpp>

#include "ivschat/time_format.hpp"
#include "support/test_data.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    REQUIRE(in);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// request.txt split into its parts. Header values keep continuation lines
// joined by '\n', which canonicalization folds into single spaces.
struct parsed_request {
    std::string method, path, query, head, body;
    std::vector<std::pair<std::string, std::string>> headers;
};

parsed_request parse_request(const std::string& text) {
    parsed_request r;
    auto head_end = text.find("\n\n");
    r.head = text.substr(0, head_end == std::string::npos ? text.size() - 1 : head_end);
    if (head_end != std::string::npos) r.body = text.substr(head_end + 2);
    std::istringstream lines(r.head);
    std::string line;
    std::getline(lines, line);
    auto first_space = line.find(' ');
    auto last_space = line.rfind(' ');
    r.method = line.substr(0, first_space);
    std::string target = line.substr(first_space + 1, last_space - first_space - 1);
    auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    while (std::getline(lines, line)) {
        if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
            r.headers.back().second += "\n" + line;
            continue;
        }
        auto colon = line.find(':');
        r.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
    return r;
}

}  // namespace

TEST_CASE("official SigV4 suite: header signing", "[sigv4][official]") {
    const fs::path suite = ivschat::test::test_data_dir() / "sigv4";

    std::vector<fs::path> cases;
    for (const auto& entry : fs::directory_iterator(suite))
        if (entry.is_directory()) cases.push_back(entry.path());
    std::sort(cases.begin(), cases.end());
    // Every case of the suite is a header-signing case for a non-S3 service,
    // so all of them apply. The query-* files (presigned URLs) do not: ivschat
    // requests are never presigned.
    REQUIRE(cases.size() == 38);

    for (const auto& dir : cases) {
        DYNAMIC_SECTION(dir.filename().string()) {
            auto context = json::parse(read_file(dir / "context.json")).as_object();
            auto req = parse_request(read_file(dir / "request.txt"));
            const auto& c = context.at("credentials").as_object();

            ivschat::credentials creds;
            creds.access_key_id = c.at("access_key_id").as_string();
            creds.secret_access_key = c.at("secret_access_key").as_string();
            if (auto* token = c.if_contains("token")) creds.session_token = token->as_string();

            ivschat::sigv4::signer_options options;
            options.region = context.at("region").as_string();
            options.service = context.at("service").as_string();
            options.normalize_path = context.at("normalize").as_bool();
            options.sign_payload_header = context.at("sign_body").as_bool();
            if (auto* omit = context.if_contains("omit_session_token")) options.omit_session_token = omit->as_bool();
            ivschat::sigv4::signer signer{options};

            std::vector<ivschat::sigv4::header> headers;
            for (auto& [name, value] : req.headers) headers.push_back({name, value});
            auto ts = ivschat::detail::parse_iso8601(std::string(context.at("timestamp").as_string()));
            REQUIRE(ts);
            ivschat::sigv4::request request{req.method, req.path, req.query, headers,
                                            options.sign_payload_header ? std::string_view(req.body) : ""};
            auto added = signer.sign(request, creds, *ts);

            CHECK(signer.canonical_request() == read_file(dir / "header-canonical-request.txt"));
            CHECK(signer.string_to_sign() == read_file(dir / "header-string-to-sign.txt"));
            CHECK(signer.signature() == read_file(dir / "header-signature.txt"));

            // aws-c-auth writes the token (signed or not) before the date.
            std::string signed_request = req.head + "\n";
            if (!creds.session_token.empty())
                signed_request += "X-Amz-Security-Token:" + creds.session_token + "\n";
            signed_request += "X-Amz-Date:" + std::string(added.x_amz_date) + "\n";
            if (!added.x_amz_content_sha256.empty())
                signed_request += "x-amz-content-sha256:" + std::string(added.x_amz_content_sha256) + "\n";
            signed_request += "Authorization:" + std::string(added.authorization) + "\n\n" + req.body;
            CHECK(signed_request == read_file(dir / "header-signed-request.txt"));
        }
    }
}
