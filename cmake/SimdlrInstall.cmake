# cmake --install: headers, the library and a package config for find_package(simdlr).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS simdlr EXPORT simdlrTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/simdlr DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_BINARY_DIR}/generated/simdlr/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/simdlr)
install(EXPORT simdlrTargets NAMESPACE simdlr:: FILE simdlrTargets.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/simdlr)
configure_package_config_file(cmake/simdlrConfig.cmake.in
  ${PROJECT_BINARY_DIR}/simdlrConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/simdlr)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/simdlrConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/simdlrConfig.cmake ${PROJECT_BINARY_DIR}/simdlrConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/simdlr)
if(TARGET simdlr_cli)
  install(TARGETS simdlr_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
# The distributed component and simdlr-mpi, when MPI was found (not in the package config: a
# project that does not use MPI must not need it).
if(TARGET simdlr_distributed)
  install(TARGETS simdlr_distributed
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endif()
if(TARGET simdlr_mpi)
  install(TARGETS simdlr_mpi RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
