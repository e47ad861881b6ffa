// A shared library of the consumer's that links the whole static libivschat.
#include <ivschat/endpoint.hpp>

#include <string>

std::string consumer_plugin_endpoint() {
    return ivschat::resolve_endpoint({.region = "us-west-2"}).url;
}
