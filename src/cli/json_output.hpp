#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace ivschat::cli {

/// `value` as indented JSON (4 spaces, like the AWS CLI), ending in a newline.
std::string pretty_json(const boost::json::value& value);

/// `value` as text lines "path<TAB>value", one per scalar leaf, e.g.
/// "rooms[0].name\tlobby": simple to grep and cut in scripts.
std::string text_lines(const boost::json::value& value);

}  // namespace ivschat::cli
