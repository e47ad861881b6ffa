#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace ivschat {

/// Base of the model's enumerations (chat_token_capability, fallback_result,
/// ...): a value of the enum's wire set, or any other string the service
/// sent. A newer service may send values this library does not know; they are
/// kept as they came (is_known() is false) instead of failing the call.
///
/// `Derived` supplies `static constexpr std::string_view wire_values[]` and
/// one `static const Derived` per known value, so that
/// `std::vector<chat_token_capability>{chat_token_capability::send_message}`
/// reads naturally. A default-constructed value is empty and not known.
/// Known values cost no allocation; only unknown ones keep a std::string.
template <class Derived>
class wire_enum {
public:
    constexpr wire_enum() noexcept = default;

    /// The known value spelled `wire`, or an unknown value keeping `wire`.
    explicit wire_enum(std::string_view wire) {
        for (std::size_t i = 0; i < std::size(Derived::wire_values); ++i) {
            if (Derived::wire_values[i] == wire) {
                index_ = static_cast<std::uint8_t>(i + 1);
                return;
            }
        }
        unknown_.assign(wire);
    }

    /// The wire string ("SEND_MESSAGE"); valid while this object lives.
    std::string_view value() const noexcept {
        return index_ != 0 ? Derived::wire_values[index_ - 1] : std::string_view{unknown_};
    }

    /// True when the value is one of the model's values for this enum.
    bool is_known() const noexcept { return index_ != 0; }

    /// Equal when both spell the same wire value.
    friend bool operator==(const wire_enum& a, const wire_enum& b) noexcept {
        if (a.index_ != 0 || b.index_ != 0) return a.index_ == b.index_;
        return a.unknown_ == b.unknown_;
    }

    /// Prints the wire string.
    friend std::ostream& operator<<(std::ostream& os, const wire_enum& e) { return os << e.value(); }

protected:
    /// The named constants: `index` is the position in Derived::wire_values.
    static constexpr Derived known(std::uint8_t index) noexcept {
        Derived d;
        d.index_ = static_cast<std::uint8_t>(index + 1);
        return d;
    }

private:
    std::uint8_t index_ = 0;  // 1 + position in wire_values; 0 when not known
    std::string unknown_{};
};

}  // namespace ivschat
