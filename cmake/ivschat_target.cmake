# Warnings for the project's own targets only; Boost and OpenSSL headers are
# included as system headers so their warnings stay theirs.
add_library(ivschat_warnings INTERFACE)
target_compile_options(ivschat_warnings INTERFACE -Wall -Wextra -Wpedantic
  # g++ 12 pairs Asio's awaitable frame operator delete with the
  # aligned_alloc inside its recycling allocator and reports a mismatch that
  # is not there (the frame's own operator new/delete are a matched pair).
  $<$<CXX_COMPILER_ID:GNU>:-Wno-mismatched-new-delete>)

# ivschat_target(<target>): applies the project's warning set to a target.
function(ivschat_target target)
  target_link_libraries(${target} PRIVATE ivschat_warnings)
endfunction()
