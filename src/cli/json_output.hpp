#pragma once

// The CLI's output formats, as the AWS CLI prints them (awscli/formatter.py,
// text.py, table.py): --output json (default), text, table and yaml.

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace ivschat::cli {

/// `value` as indented JSON (4 spaces, like the AWS CLI), ending in a newline.
std::string pretty_json(const boost::json::value& value);

/// The line `ivschat chat` prints for a frame (its JSON text as received):
/// compact JSON with control characters written as JSON escapes, so that the
/// line is still JSON and safe to print; text that is not JSON is printed
/// with escape_controls() (cli/terminal_text.hpp). No newline at the end.
std::string chat_frame_line(std::string_view frame);

/// --output text: tab-separated lines. An object prints its scalar members
/// (sorted by name) on one line and then each list or object member; a list
/// of objects prints one line per object with the columns of every scalar
/// name any of them has, prefixed by the member's name in upper case when
/// nested; a list of scalars prints on one line (or one "NAME<TAB>value"
/// line each when nested). Scalars print as Python's str(): True, None, 2.5.
/// Control characters in strings and names (tab, newline, ESC, DEL, C1) are
/// printed as escapes (escape_controls() in cli/terminal_text.hpp), as they
/// are in --output table and, as JSON escapes, in --output json.
std::string aws_text(const boost::json::value& value);

/// --output table: the AWS CLI's boxed layout, titled `title` (the
/// operation's name), 80 columns wide unless the content needs more (or
/// `terminal_width` says otherwise); a table wider than the terminal is
/// turned vertical (one "name | value" row per column) as the AWS CLI does.
std::string aws_table(const boost::json::value& value, std::string_view title, std::size_t terminal_width = 80);

/// --output yaml: block YAML as the AWS CLI's ruamel.yaml safe dumper writes
/// it: keys sorted, sequences not indented under their key, strings quoted
/// only when they would read back as something else, plain scalars folded
/// past column 80; a scalar result prints as JSON, an empty object as nothing.
std::string aws_yaml(const boost::json::value& value);

}  // namespace ivschat::cli
