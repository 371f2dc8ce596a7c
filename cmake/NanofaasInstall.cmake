# Install rules and the CMake package config (nanofaas::nanofaas, nanofaas::load,
# nanofaas::http, and nanofaas::jetstream when built).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(NANOFAAS_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/nanofaas"
    CACHE STRING "Where to install nanofaasConfig.cmake, relative to the prefix")
mark_as_advanced(NANOFAAS_INSTALL_CMAKEDIR)

set(nanofaas_installed_targets nanofaas nanofaas_load nanofaas_http)
if(TARGET nanofaas_jetstream)
  list(APPEND nanofaas_installed_targets nanofaas_jetstream)
endif()
install(TARGETS ${nanofaas_installed_targets} EXPORT nanofaasTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/nanofaas DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/nanofaas)
install(EXPORT nanofaasTargets
  FILE nanofaasTargets.cmake
  NAMESPACE nanofaas::
  DESTINATION ${NANOFAAS_INSTALL_CMAKEDIR})

get_target_property(nanofaas_library_type nanofaas TYPE)  # read by the config file
configure_package_config_file(cmake/nanofaasConfig.cmake.in
  ${PROJECT_BINARY_DIR}/nanofaasConfig.cmake
  INSTALL_DESTINATION ${NANOFAAS_INSTALL_CMAKEDIR})
# SameMinorVersion while 0.x: 0.1.x and 0.2.x are not compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/nanofaasConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/nanofaasConfig.cmake
  ${PROJECT_BINARY_DIR}/nanofaasConfigVersion.cmake
  DESTINATION ${NANOFAAS_INSTALL_CMAKEDIR})
