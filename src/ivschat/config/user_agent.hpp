#pragma once
// The User-Agent header in the AWS SDKs' format 2.1, space-separated
// `prefix/name#value` components:
//
//   ivschat-cpp/0.1.0 ua/2.1 os/linux#6.1.0-18-amd64 md/arch#x86_64
//   lang/cpp#C++20 md/GCC#12.2.0 [exec-env/<AWS_EXECUTION_ENV>] [app/<id>]
//
// as botocore's useragent.py and aws-sdk-cpp's ClientConfiguration.cpp write
// it (os names as botocore maps them; the language standard and the compiler
// as the C++ SDK reports them).

#include <ivschat/config.hpp>

#include <string>
#include <string_view>

namespace ivschat::detail {

// What the header says about the process; text as found, cleaned when formatted.
struct user_agent_facts {
    std::string os_name{};        // uname's sysname, e.g. "Linux"
    std::string os_release{};     // uname's release, e.g. "6.1.0-18-amd64"
    std::string machine{};        // uname's machine, e.g. "x86_64"
    std::string cpp_standard{};   // the library's language standard, e.g. "C++20"
    std::string compiler{};       // the library's compiler, e.g. "GCC"
    std::string compiler_version{};  // e.g. "12.2.0"
    std::string execution_env{};  // AWS_EXECUTION_ENV, empty when unset
};

// The facts of this process: uname(2), the compiler that built the library,
// and AWS_EXECUTION_ENV from `env`.
user_agent_facts local_user_agent_facts(const environment& env);

// The header for `facts`, ending with app/<app_id> unless app_id is empty.
// Characters the format does not allow in a component become '-'.
std::string format_user_agent(const user_agent_facts& facts, std::string_view app_id);

// Whether `id` can be an application id (sdk_ua_app_id): 1 to 50 letters,
// digits and !#$%&'*+-.^_`|~ (the SDKs and Tools reference guide's rule).
bool is_valid_app_id(std::string_view id) noexcept;

}  // namespace ivschat::detail
