// The shared config and credentials file format, as the AWS SDKs read it
// (the cross-SDK rules of aws-sdk-java-v2's ProfileFileReader and
// smithy-rs's aws-config profile parser): line-based, sections in brackets,
// `key = value` properties, indented continuation and sub-property lines,
// comments with '#' or ';'.
#include <ivschat/config.hpp>

#include "ivschat/config/config_text.hpp"

#include <algorithm>
#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ivschat {
namespace {

constexpr std::string_view blanks = " \t";

std::string_view trim(std::string_view s) {
    auto first = s.find_first_not_of(blanks);
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(blanks) - first + 1);
}

// Cuts a trailing comment. In property lines '#' and ';' start a comment only
// after whitespace, so values like "abc#def" or base64 keep their characters;
// in section headers they always do.
std::string_view strip_comment(std::string_view line, bool needs_blank_before) {
    for (std::size_t i = 0; i < line.size(); ++i) {
        if ((line[i] == '#' || line[i] == ';') && (!needs_blank_before || (i > 0 && (line[i - 1] == ' ' || line[i - 1] == '\t'))))
            return trim(line.substr(0, i));
    }
    return trim(line);
}

// Names the SDKs accept for profiles and property keys.
bool is_identifier(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("_-/.%@:+").find(c) != std::string_view::npos;
    });
}

struct raw_section {
    std::string header;  // between the brackets, trimmed
    std::size_t line = 0;
    std::vector<std::pair<std::string, profile::property>> properties{};
    std::vector<std::size_t> property_lines{};
};

class file_parser {
public:
    explicit file_parser(std::string_view path) : path_(path) {}

    std::vector<raw_section> parse(std::string_view text) {
        if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 byte order mark
        for (std::size_t start = 0; start <= text.size();) {
            auto end = std::min(text.find('\n', start), text.size());
            std::string_view line = text.substr(start, end - start);
            ++line_;
            if (line.ends_with('\r')) line.remove_suffix(1);
            read_line(line);
            start = end + 1;
        }
        return std::move(sections_);
    }

private:
    [[noreturn]] void fail(std::string_view message) const {
        throw config_error(std::string(path_) + ":" + std::to_string(line_) + ": " + std::string(message));
    }

    void read_line(std::string_view line) {
        std::string_view content = trim(line);
        if (content.empty() || content[0] == '#' || content[0] == ';') return;
        if (line[0] == '[') return read_section_header(line);
        if (line[0] == ' ' || line[0] == '\t') return read_continuation(content);
        read_property(line);
    }

    void read_section_header(std::string_view line) {
        std::string_view header = strip_comment(line, false);
        if (header.size() < 2 || header.back() != ']')
            fail("section header \"" + std::string(header) + "\" does not end with ']'");
        sections_.push_back({.header = std::string(trim(header.substr(1, header.size() - 2))), .line = line_});
        has_property_ = false;
    }

    std::pair<std::string, std::string> split_property(std::string_view line, std::string_view what) const {
        std::string_view content = strip_comment(line, true);
        auto eq = content.find('=');
        if (eq == std::string_view::npos)
            fail("expected '=' in the " + std::string(what) + " \"" + std::string(content) + "\"");
        std::string_view key = trim(content.substr(0, eq));
        if (key.empty()) fail("the " + std::string(what) + " \"" + std::string(content) + "\" has no name before '='");
        return {detail::ascii_lower(key), std::string(trim(content.substr(eq + 1)))};
    }

    void read_property(std::string_view line) {
        if (sections_.empty()) fail("a property before any section header such as [default]");
        auto [key, value] = split_property(line, "property");
        auto& section = sections_.back();
        section.properties.push_back({std::move(key), profile::property{.value = std::move(value), .sub_properties = {}}});
        section.property_lines.push_back(line_);
        has_property_ = true;
    }

    void read_continuation(std::string_view content) {
        if (sections_.empty()) fail("an indented line before any section header such as [default]");
        if (!has_property_) fail("an indented line with no property above it to continue");
        profile::property& property = sections_.back().properties.back().second;
        // An empty value opens a block of sub-properties; otherwise the line
        // continues the value.
        if (property.value.empty()) property.sub_properties.push_back(split_property(content, "sub-property"));
        else property.value.append("\n").append(content);
    }

    std::string_view path_;
    std::size_t line_ = 0;
    bool has_property_ = false;
    std::vector<raw_section> sections_;
};

}  // namespace

std::optional<std::string_view> profile::get(std::string_view key) const {
    auto it = properties_.find(detail::ascii_lower(key));
    if (it == properties_.end()) return std::nullopt;
    return std::string_view(it->second.value);
}

std::optional<std::string_view> profile::get(std::string_view key, std::string_view sub_key) const {
    auto it = properties_.find(detail::ascii_lower(key));
    if (it == properties_.end()) return std::nullopt;
    std::string wanted = detail::ascii_lower(sub_key);
    const auto& subs = it->second.sub_properties;
    // The last occurrence wins, as for properties.
    auto sub = std::find_if(subs.rbegin(), subs.rend(), [&](const auto& kv) { return kv.first == wanted; });
    if (sub == subs.rend()) return std::nullopt;
    return std::string_view(sub->second);
}

void profile::set(std::string_view key, property value) { properties_[detail::ascii_lower(key)] = std::move(value); }

const profile* profile_set::find(std::string_view name) const {
    auto it = profiles_.find(name);
    return it == profiles_.end() ? nullptr : &it->second;
}

const profile* profile_set::find_section(std::string_view prefix, std::string_view name) const {
    auto it = sections_.find(std::string(prefix) + " " + std::string(name));
    return it == sections_.end() ? nullptr : &it->second;
}

void profile_set::merge_file(std::string_view text, profile_file_kind kind, std::string_view path) {
    std::vector<raw_section> sections = file_parser(path).parse(text);
    files_.emplace_back(path);
    auto where = [&](std::size_t line) { return std::string(path) + ":" + std::to_string(line) + ": "; };

    // Where each section goes, or why it is skipped. `[profile default]`
    // replaces `[default]` in the config file, so decide for all first.
    struct decision {
        std::string prefix{}, name{};
        std::string skipped_because{};
    };
    bool has_prefixed_default = false;
    std::vector<decision> decisions;
    for (const raw_section& s : sections) {
        auto blank = s.header.find_first_of(blanks);
        decision d;
        if (blank != std::string::npos) {
            d.prefix = s.header.substr(0, blank);
            d.name = std::string(trim(std::string_view(s.header).substr(blank)));
        } else {
            d.name = s.header;
        }
        if (!is_identifier(d.name)) d.skipped_because = "\"" + d.name + "\" is not a valid name";
        else if (kind == profile_file_kind::credentials && !d.prefix.empty())
            d.skipped_because = "sections of the credentials file are written [name]";
        else if (kind == profile_file_kind::config && d.prefix.empty() && d.name != "default")
            d.skipped_because = "profiles in the config file are written [profile " + d.name + "]";
        has_prefixed_default = has_prefixed_default ||
                               (kind == profile_file_kind::config && d.prefix == "profile" && d.name == "default");
        decisions.push_back(std::move(d));
    }

    for (std::size_t i = 0; i < sections.size(); ++i) {
        const decision& d = decisions[i];
        std::string skipped_because = d.skipped_because;
        if (skipped_because.empty() && has_prefixed_default && d.prefix.empty())
            skipped_because = "[profile default] replaces it";
        if (!skipped_because.empty()) {
            warnings_.push_back(where(sections[i].line) + "section [" + sections[i].header + "] skipped: " +
                                skipped_because);
            continue;
        }
        profile* destination;
        if (d.prefix.empty() || d.prefix == "profile") destination = &profiles_.try_emplace(d.name, d.name).first->second;
        else destination = &sections_.try_emplace(d.prefix + " " + d.name, d.name).first->second;
        for (std::size_t p = 0; p < sections[i].properties.size(); ++p) {
            auto& [key, value] = sections[i].properties[p];
            if (!is_identifier(key)) {
                warnings_.push_back(where(sections[i].property_lines[p]) + "property \"" + key +
                                    "\" skipped: not a valid name");
                continue;
            }
            destination->set(key, std::move(value));
        }
    }
}

profile_file_paths shared_file_paths(const environment& env) {
    auto home = env.get("HOME");
    auto path_of = [&](const char* variable, const char* file) -> std::string {
        if (auto explicit_path = env.get(variable)) return detail::expand_home(*explicit_path, env);
        return home ? *home + "/.aws/" + file : std::string{};
    };
    return {.config = path_of("AWS_CONFIG_FILE", "config"),
            .credentials = path_of("AWS_SHARED_CREDENTIALS_FILE", "credentials")};
}

namespace {

// The file's content, or nullopt when it does not exist. POSIX calls rather
// than iostreams: they cost a few microseconds instead of tens per file.
std::optional<std::string> read_profile_file(const std::string& path) {
    auto fail = [&](const std::string& why) { return config_error(path + ": " + why); };
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
        throw fail("cannot open the file: " + std::generic_category().message(errno));
    }
    struct closer {
        int fd;
        ~closer() { ::close(fd); }
    } close_on_exit{fd};
    struct stat info {};
    if (::fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) throw fail("is a directory, not a file");
    // Read up to one byte past the limit: sizes reported by the file system
    // can be wrong (pipes, files that grow).
    std::string content;
    char chunk[16384];
    while (content.size() <= max_profile_file_size) {
        ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw fail("cannot read the file: " + std::generic_category().message(errno));
        if (n == 0) break;
        content.append(chunk, static_cast<std::size_t>(n));
    }
    if (content.size() > max_profile_file_size)
        throw fail("the file is larger than " + std::to_string(max_profile_file_size) + " bytes");
    return content;
}

}  // namespace

profile_set load_profile_files(const profile_file_paths& paths) {
    profile_set set;
    if (!paths.config.empty())
        if (auto text = read_profile_file(paths.config)) set.merge_file(*text, profile_file_kind::config, paths.config);
    if (!paths.credentials.empty())
        if (auto text = read_profile_file(paths.credentials))
            set.merge_file(*text, profile_file_kind::credentials, paths.credentials);
    return set;
}

}  // namespace ivschat
