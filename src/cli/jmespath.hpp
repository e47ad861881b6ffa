#pragma once

// JMESPath (https://jmespath.org/specification.html) over Boost.JSON values,
// for the CLI's --query: a lexer, a Pratt parser to an AST and a tree
// evaluator with every built-in function. Written against the official
// compliance suite (tests/data/jmespath); Debian ships no C++ implementation.

#include <boost/json/value.hpp>

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ivschat::cli::jmespath {

/// The error kinds the specification names.
enum class error_kind { syntax, invalid_type, invalid_value, invalid_arity, unknown_function };

/// "syntax", "invalid-type", ...: the names the compliance suite uses.
std::string_view to_string(error_kind kind);

/// A failed parse or evaluation. Parse errors carry the 1-based column (in
/// characters) where the expression went wrong, also in what().
class error : public std::runtime_error {
public:
    error(error_kind kind, std::string message, std::size_t column = 0);
    error_kind kind() const noexcept { return kind_; }
    std::size_t column() const noexcept { return column_; }

private:
    error_kind kind_;
    std::size_t column_;
};

struct node;

/// A parsed expression; evaluate it any number of times.
class expression {
public:
    /// Throws error (syntax, invalid_value, invalid_arity, unknown_function).
    static expression parse(std::string_view text);

    /// Throws error (invalid_type) when a function gets an argument of the
    /// wrong type.
    boost::json::value search(const boost::json::value& data) const;

private:
    explicit expression(std::shared_ptr<const node> root) : root_(std::move(root)) {}
    std::shared_ptr<const node> root_;
};

/// JMESPath equality: numbers by value (1 == 1.0), objects regardless of
/// member order, everything else structurally.
bool equal(const boost::json::value& a, const boost::json::value& b);

/// `value` as compact JSON, numbers the way JMESPath's to_string and the
/// AWS CLI print them ("1.5", not "1.5E0").
std::string to_json(const boost::json::value& value);

/// A number as the AWS CLI (Python) prints it: integers as they are,
/// doubles in their shortest round-trip form with a ".0" when integral.
std::string format_number(const boost::json::value& number);

}  // namespace ivschat::cli::jmespath
