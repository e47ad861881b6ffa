#pragma once

#include <ivschat/credentials_provider.hpp>

#include <string>

namespace ivschat::detail {

/// A provider with a fixed answer under a given name: a profile's keys, or
/// the error of a source that is not (or wrongly) configured.
class named_answer_provider final : public immediate_credentials_provider {
public:
    named_answer_provider(std::string name, answer a) : immediate_credentials_provider(std::move(a)), name_(std::move(name)) {}
    std::string name() const override { return name_; }

private:
    std::string name_;
};

}  // namespace ivschat::detail
