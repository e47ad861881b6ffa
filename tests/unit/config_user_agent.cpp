// The User-Agent header in the AWS SDKs' format 2.1, from fixed facts, and
// the application id rule.
#include "ivschat/config/user_agent.hpp"

#include <ivschat/version.hpp>

#include <catch2/catch.hpp>

namespace {

using ivschat::detail::format_user_agent;
using ivschat::detail::is_valid_app_id;
using ivschat::detail::user_agent_facts;

constexpr std::string_view prefix = "ivschat-cpp/" IVSCHAT_VERSION_STRING " ua/2.1 ";

user_agent_facts linux_facts() {
    return {.os_name = "Linux",
            .os_release = "6.1.0-18-amd64",
            .machine = "x86_64",
            .cpp_standard = "C++20",
            .compiler = "GCC",
            .compiler_version = "12.2.0"};
}

}  // namespace

TEST_CASE("user agent: SDK, format version, OS, architecture, language, compiler, then app") {
    CHECK(format_user_agent(linux_facts(), "") ==
          std::string(prefix) + "os/linux#6.1.0-18-amd64 md/arch#x86_64 lang/cpp#C++20 md/GCC#12.2.0");
    CHECK(format_user_agent(linux_facts(), "checkout-svc") ==
          std::string(prefix) + "os/linux#6.1.0-18-amd64 md/arch#x86_64 lang/cpp#C++20 md/GCC#12.2.0 app/checkout-svc");
    auto in_lambda = linux_facts();
    in_lambda.execution_env = "AWS_Lambda_provided.al2023";
    CHECK(format_user_agent(in_lambda, "a#1") ==
          std::string(prefix) +
              "os/linux#6.1.0-18-amd64 md/arch#x86_64 lang/cpp#C++20 md/GCC#12.2.0 exec-env/AWS_Lambda_provided.al2023 app/a#1");
}

TEST_CASE("user agent: OS names as the SDKs map them; unknown ones as os/other plus metadata") {
    auto facts = linux_facts();
    facts.os_name = "Darwin";
    facts.os_release = "23.6.0";
    facts.machine = "ARM64";
    CHECK(format_user_agent(facts, "").starts_with(std::string(prefix) + "os/macos#23.6.0 md/arch#arm64 "));
    facts.os_name = "FreeBSD";
    facts.os_release = "14.0-RELEASE";
    CHECK(format_user_agent(facts, "").starts_with(std::string(prefix) + "os/other md/FreeBSD#14.0-RELEASE md/arch#"));
    facts = {};
    CHECK(format_user_agent(facts, "") == std::string(prefix) + "os/other lang/cpp");
}

TEST_CASE("user agent: characters outside a component's alphabet become '-'") {
    auto facts = linux_facts();
    facts.os_release = "6.1 (custom)/x";
    facts.execution_env = "my env#1";
    facts.compiler = "G C#C";
    CHECK(format_user_agent(facts, "") == std::string(prefix) +
                                              "os/linux#6.1--custom--x md/arch#x86_64 lang/cpp#C++20 "
                                              "md/G-C-C#12.2.0 exec-env/my-env-1");
}

TEST_CASE("the user agent of this process") {
    const auto facts = ivschat::detail::local_user_agent_facts(ivschat::environment::from_map({{"AWS_EXECUTION_ENV", "AWS_ECS_EC2"}}));
    CHECK(facts.os_name == "Linux");
    CHECK_FALSE(facts.os_release.empty());
    CHECK_FALSE(facts.machine.empty());
    CHECK(facts.cpp_standard == "C++20");
    CHECK((facts.compiler == "GCC" || facts.compiler == "Clang"));
    CHECK_FALSE(facts.compiler_version.empty());
    CHECK(facts.execution_env == "AWS_ECS_EC2");
    CHECK(ivschat::detail::local_user_agent_facts(ivschat::environment::from_map({})).execution_env.empty());
}

TEST_CASE("application ids: 1 to 50 letters, digits and !#$%&'*+-.^_`|~") {
    CHECK(is_valid_app_id("a"));
    CHECK(is_valid_app_id("Checkout_Service-2.1"));
    CHECK(is_valid_app_id("!#$%&'*+-.^_`|~"));
    CHECK(is_valid_app_id(std::string(50, 'x')));
    CHECK_FALSE(is_valid_app_id(""));
    CHECK_FALSE(is_valid_app_id(std::string(51, 'x')));
    for (std::string_view bad : {"two words", "tab\there", "slash/", "paren(", "quote\"", "colon:", "comma,",
                                 "semi;", "eq=", "at@", "brace{", "bracket[", "question?", "back\\slash", "caf\xc3\xa9"}) {
        INFO(bad);
        CHECK_FALSE(is_valid_app_id(bad));
    }
}
