# Warnings for the project's own targets only; Boost and OpenSSL headers are
# included as system headers so their warnings stay theirs.
add_library(ivschat_warnings INTERFACE)
target_compile_options(ivschat_warnings INTERFACE -Wall -Wextra -Wpedantic)

# ivschat_target(<target>): applies the project's warning set to a target.
function(ivschat_target target)
  target_link_libraries(${target} PRIVATE ivschat_warnings)
endfunction()
