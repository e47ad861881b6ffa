# `cmake --install build --prefix P`: the public headers, the library, the
# CMake package (ivschat::ivschat), the pkg-config file, the license and,
# when built, the ivschat and ivschat-emulator programs and ivschat's bash
# completion.
include(CMakePackageConfigHelpers)

set(IVSCHAT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ivschat)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ivschat
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/include/ivschat/version.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ivschat)

install(TARGETS ${IVSCHAT_PACKAGE_LIBRARY} EXPORT ivschat-targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT Development
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT ivschat-targets
  NAMESPACE ivschat::
  FILE ivschat-targets.cmake
  DESTINATION ${IVSCHAT_CMAKE_DIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ivschatConfig.cmake.in
  ${PROJECT_BINARY_DIR}/ivschatConfig.cmake
  INSTALL_DESTINATION ${IVSCHAT_CMAKE_DIR})
# While the major version is 0, a new minor version may break the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ivschatConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ivschatConfig.cmake ${PROJECT_BINARY_DIR}/ivschatConfigVersion.cmake
  DESTINATION ${IVSCHAT_CMAKE_DIR})

# pkg-config: `pkg-config --cflags --libs ivschat` for the shared library,
# `--static` for the static one (its dependencies are then needed too). The
# file finds its prefix from its own folder, so `--prefix P` at install time
# is honoured.
file(RELATIVE_PATH IVSCHAT_PC_PREFIX_FROM_PCDIR /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" IVSCHAT_PC_PREFIX_FROM_PCDIR "${IVSCHAT_PC_PREFIX_FROM_PCDIR}")
if(IS_ABSOLUTE ${CMAKE_INSTALL_INCLUDEDIR})
  set(IVSCHAT_PC_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR})
else()
  set(IVSCHAT_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
if(IS_ABSOLUTE ${CMAKE_INSTALL_LIBDIR})
  set(IVSCHAT_PC_LIBDIR ${CMAKE_INSTALL_LIBDIR})
else()
  set(IVSCHAT_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IVSCHAT_WITH_REDIS)
  set(IVSCHAT_PC_REDIS ", hiredis")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/ivschat.pc.in ${PROJECT_BINARY_DIR}/ivschat.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/ivschat.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/NOTICE ${PROJECT_SOURCE_DIR}/CHANGELOG.md
  DESTINATION ${CMAKE_INSTALL_DOCDIR})

if(IVSCHAT_BUILD_TOOLS)
  install(TARGETS ivschat_cli ivschat-emulator RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  get_target_property(IVSCHAT_BASH_COMPLETION ivschat_cli IVSCHAT_BASH_COMPLETION)
  install(FILES ${IVSCHAT_BASH_COMPLETION}
    DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME ivschat)
endif()
