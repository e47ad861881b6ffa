#pragma once
// A synchronous read stream over the fuzz input that hands out at most
// `fragment` bytes per read, then end of stream: the same byte arrival a
// socket gives Beast's parsers, without a socket.

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace ivschat::fuzz {

class fragment_stream {
public:
    fragment_stream(std::string_view bytes, std::size_t fragment) : rest_(bytes), fragment_(std::max<std::size_t>(fragment, 1)) {}

    template <class MutableBuffers>
    std::size_t read_some(const MutableBuffers& buffers, boost::system::error_code& ec) {
        if (rest_.empty()) {
            ec = boost::asio::error::eof;
            return 0;
        }
        ec = {};
        const std::size_t n =
            boost::asio::buffer_copy(buffers, boost::asio::buffer(rest_.data(), std::min(fragment_, rest_.size())));
        rest_.remove_prefix(n);
        return n;
    }

    template <class MutableBuffers>
    std::size_t read_some(const MutableBuffers& buffers) {
        boost::system::error_code ec;
        const std::size_t n = read_some(buffers, ec);
        if (ec) throw boost::system::system_error(ec);
        return n;
    }

    bool exhausted() const noexcept { return rest_.empty(); }

private:
    std::string_view rest_;
    std::size_t fragment_;
};

}  // namespace ivschat::fuzz
