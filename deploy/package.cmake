# Installation and the Debian package: `cmake --install` puts the binary, its man page, the
# operator docs, the example config and the systemd unit in the usual places; `cpack` makes a
# .deb of the same (deploy/debian/ holds its maintainer scripts). docs/operations.md, "Install".
include(GNUInstallDirs)

set(circlecdn_man ${CMAKE_CURRENT_BINARY_DIR}/circlecdn.1)
add_custom_command(
  OUTPUT ${circlecdn_man}
  COMMAND ${CMAKE_COMMAND} -DCIRCLECDN=$<TARGET_FILE:circlecdn> -DVERSION=${PROJECT_VERSION}
          -DOUT=${circlecdn_man} -P ${PROJECT_SOURCE_DIR}/deploy/man/make-man.cmake
  DEPENDS circlecdn ${PROJECT_SOURCE_DIR}/deploy/man/make-man.cmake
  COMMENT "circlecdn(1) from --help")
add_custom_target(circlecdn_man ALL DEPENDS ${circlecdn_man})

install(TARGETS circlecdn RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${circlecdn_man} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
configure_file(deploy/systemd/circlecdn.service.in circlecdn.service @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/circlecdn.service DESTINATION lib/systemd/system)
# The packaged default configuration (with the /usr prefix of the .deb: /etc/circlecdn, a conffile).
install(FILES deploy/circlecdn.toml DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/circlecdn)
install(FILES README.md docs/operations.md docs/security.md docs/protocol.md
              examples/circlecdn.toml deploy/nginx/circlecdn.conf deploy/nginx/circlecdn-cluster.conf
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# cpack builds only what is installed (tests, benchmarks and the simulator are not packaged).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME circlecdn)
set(CPACK_PACKAGE_VENDOR "CircleCDN")
set(CPACK_PACKAGE_CONTACT "CircleCDN developers <dev@circlecdn.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "peer-assisted CDN: origin, tracker and browser library")
set(CPACK_PACKAGE_DESCRIPTION
    "A site's visitors serve its static files to each other over WebRTC DataChannels, every byte\n verified against the origin's SHA-256 manifest, with the origin as the fallback.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION web)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
    ${PROJECT_SOURCE_DIR}/deploy/debian/prerm ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
