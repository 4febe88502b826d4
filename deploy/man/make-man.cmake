# Writes the man page circlecdn(1) from the binary's own --help text, so the two cannot drift.
# cmake -DCIRCLECDN=<binary> -DVERSION=<x.y.z> -DOUT=<file> -P make-man.cmake
execute_process(COMMAND ${CIRCLECDN} --help OUTPUT_VARIABLE top RESULT_VARIABLE rc1)
execute_process(COMMAND ${CIRCLECDN} serve --help OUTPUT_VARIABLE serve RESULT_VARIABLE rc2)
if(NOT rc1 EQUAL 0 OR NOT rc2 EQUAL 0)
  message(FATAL_ERROR "make-man: ${CIRCLECDN} --help failed")
endif()
# CLI11 prints argv[0] in its usage line: show the command's name, not the build path.
foreach(part top serve)
  string(REPLACE "${CIRCLECDN}" "circlecdn" ${part} "${${part}}")
endforeach()
# troff: a line starting with . or ' is a request, and \ is an escape.
foreach(part top serve)
  string(REPLACE "\\" "\\e" ${part} "${${part}}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" ${part} "${${part}}")
endforeach()
string(TIMESTAMP today "%Y-%m-%d" UTC)
file(WRITE ${OUT} ".TH CIRCLECDN 1 \"${today}\" \"circlecdn ${VERSION}\" \"User Commands\"
.SH NAME
circlecdn \\- peer-assisted CDN origin and signaling tracker
.SH SYNOPSIS
.B circlecdn serve
[\\fIOPTIONS\\fR] [\\fISITE_DIR\\fR]
.SH DESCRIPTION
Serves SITE_DIR over HTTP or HTTPS as an origin, publishes its SHA-256 manifest, serves the
browser library and runs the WebSocket tracker that pairs visitors, so that they serve the site's
files to each other over WebRTC, every byte verified against the manifest.
.PP
Every option is also a key of the TOML file given with \\fB--config\\fR, under a [serve] table.
.SH COMMANDS
.nf
${top}.fi
.SH OPTIONS OF SERVE
.nf
${serve}.fi
.SH SIGNALS
SIGHUP reloads the TLS certificate and key and the options that can change live; SIGTERM and
SIGINT drain connections for the grace period, then stop.
.SH FILES
.TP
/etc/circlecdn/circlecdn.toml
the packaged service's configuration
.TP
/var/www/circlecdn
the packaged service's default site
.TP
/var/lib/circlecdn
the service's state
.SH SEE ALSO
/usr/share/doc/circlecdn/operations.md, /usr/share/doc/circlecdn/security.md
")
