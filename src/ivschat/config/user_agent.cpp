#include "ivschat/config/user_agent.hpp"

#include "ivschat/config/config_text.hpp"

#include <ivschat/version.hpp>

#include <sys/utsname.h>

#include <algorithm>

namespace ivschat::detail {
namespace {

// The characters of an HTTP token (RFC 9110) that the SDKs keep in a
// component; '#' separates a name from its value and is kept in values only.
constexpr std::string_view token_symbols = "!$%&'*+-.^_`|~";

bool is_token_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           token_symbols.find(c) != std::string_view::npos;
}

void append_clean(std::string& out, std::string_view text, bool keep_hash) {
    for (char c : text) out.push_back(is_token_char(c) || (keep_hash && c == '#') ? c : '-');
}

// " prefix/name" or " prefix/name#value" (no value when empty).
void append_component(std::string& out, std::string_view prefix, std::string_view name, std::string_view value = {}) {
    out.push_back(' ');
    out.append(prefix);
    out.push_back('/');
    append_clean(out, name, false);
    if (value.empty()) return;
    out.push_back('#');
    append_clean(out, value, true);
}

#define IVSCHAT_UA_TEXT(x) #x
#define IVSCHAT_UA_NUMBER(x) IVSCHAT_UA_TEXT(x)
#if defined(__clang__)
constexpr std::string_view compiler = "Clang";
constexpr std::string_view compiler_version = IVSCHAT_UA_NUMBER(__clang_major__) "." IVSCHAT_UA_NUMBER(
    __clang_minor__) "." IVSCHAT_UA_NUMBER(__clang_patchlevel__);
#elif defined(__GNUC__)
constexpr std::string_view compiler = "GCC";
constexpr std::string_view compiler_version =
    IVSCHAT_UA_NUMBER(__GNUC__) "." IVSCHAT_UA_NUMBER(__GNUC_MINOR__) "." IVSCHAT_UA_NUMBER(__GNUC_PATCHLEVEL__);
#else
constexpr std::string_view compiler = "unknown";
constexpr std::string_view compiler_version = "";
#endif
#undef IVSCHAT_UA_NUMBER
#undef IVSCHAT_UA_TEXT

}  // namespace

user_agent_facts local_user_agent_facts(const environment& env) {
    user_agent_facts facts;
    struct utsname names {};
    if (::uname(&names) == 0) {
        facts.os_name = names.sysname;
        facts.os_release = names.release;
        facts.machine = names.machine;
    }
    // 202002L is C++20, 202302L C++23: the year's last two digits.
    facts.cpp_standard = "C++" + std::to_string(__cplusplus / 100 % 100);
    facts.compiler = compiler;
    facts.compiler_version = compiler_version;
    facts.execution_env = env.get("AWS_EXECUTION_ENV").value_or("");
    return facts;
}

std::string format_user_agent(const user_agent_facts& facts, std::string_view app_id) {
    std::string out = "ivschat-cpp/" IVSCHAT_VERSION_STRING " ua/2.1";
    // The OS families the format names; any other OS is "other" plus its own name.
    const std::string os = ascii_lower(facts.os_name);
    if (os == "linux" || os == "windows" || os == "android" || os == "ios") {
        append_component(out, "os", os, facts.os_release);
    } else if (os == "darwin") {
        append_component(out, "os", "macos", facts.os_release);
    } else {
        append_component(out, "os", "other");
        if (!os.empty()) append_component(out, "md", facts.os_name, facts.os_release);
    }
    if (!facts.machine.empty()) append_component(out, "md", "arch", ascii_lower(facts.machine));
    append_component(out, "lang", "cpp", facts.cpp_standard);
    if (!facts.compiler.empty()) append_component(out, "md", facts.compiler, facts.compiler_version);
    if (!facts.execution_env.empty()) append_component(out, "exec-env", facts.execution_env);
    // Verbatim: resolve_config lets valid ids only through ('#' included).
    if (!app_id.empty()) {
        out.append(" app/");
        append_clean(out, app_id, true);
    }
    return out;
}

bool is_valid_app_id(std::string_view id) noexcept {
    return !id.empty() && id.size() <= 50 && std::all_of(id.begin(), id.end(), [](char c) {
        return is_token_char(c) || c == '#';
    });
}

}  // namespace ivschat::detail
