#pragma once

/// @file
/// IVSCHAT_API, the mark of what libivschat exports.

/// Marks a class or function that the public headers declare and the library
/// defines. The library is compiled with `-fvisibility=hidden` and
/// `-fvisibility-inlines-hidden`, so a shared libivschat exports these and
/// nothing else (its copy of Asio and its internals stay hidden); in the
/// static library the mark changes nothing.
#if defined(__GNUC__)
#define IVSCHAT_API __attribute__((visibility("default")))
#else
#define IVSCHAT_API
#endif
