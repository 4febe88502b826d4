# Embeds built browser files (the client library, the dashboard) into the server binary.
#
# circlecdn_embed(<target> <generated.cpp> NAME PATH [NAME PATH ...]) adds a build step that
# turns each file into a byte array in <generated.cpp> (see cmake/embed_generate.cmake) and adds
# that file to <target>'s sources. The step re-runs whenever one of the files changes, so
# `npm run build` followed by `cmake --build` picks up the new bytes.
#
# The files are the output of `npm run build`, not part of a clean clone. A missing file fails the
# configure with a message that says so, unless CIRCLECDN_EMBED_PLACEHOLDERS is ON: then the binary
# embeds an empty file in its place and the server answers 404 "not built into this binary" for it
# (for C++-only work; docs/operations.md, "The embedded library").
option(CIRCLECDN_EMBED_PLACEHOLDERS "Embed empty placeholders for browser files not built yet" OFF)

set(CIRCLECDN_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_generate.cmake)

function(circlecdn_embed target out_cpp)
  set(pairs ${ARGN})
  list(LENGTH pairs n)
  math(EXPR odd "${n} % 2")
  if(n EQUAL 0 OR odd)
    message(FATAL_ERROR "circlecdn_embed: expected NAME PATH pairs, got: ${pairs}")
  endif()
  set(spec "")
  set(depends "")
  set(missing "")
  math(EXPR last "${n} - 1")
  foreach(i RANGE 0 ${last} 2)
    math(EXPR j "${i} + 1")
    list(GET pairs ${i} name)
    list(GET pairs ${j} path)
    if(EXISTS ${path})
      list(APPEND depends ${path})
    else()
      list(APPEND missing ${path})
      set(path "-")  # the generator writes an empty placeholder
    endif()
    string(APPEND spec "${name}=${path}|")
  endforeach()
  if(missing AND NOT CIRCLECDN_EMBED_PLACEHOLDERS)
    list(JOIN missing "\n  " missing_text)
    message(FATAL_ERROR
      "The server embeds the built browser files, and these are missing:\n  ${missing_text}\n"
      "Run `npm ci && npm run build` in ${CMAKE_SOURCE_DIR} first, then configure again.\n"
      "(Or configure with -DCIRCLECDN_EMBED_PLACEHOLDERS=ON to build a server that answers 404 "
      "for them; `--client-dir` can still serve the library from a directory.)")
  elseif(missing)
    message(WARNING "Embedding empty placeholders for: ${missing}")
  endif()
  add_custom_command(
    OUTPUT ${out_cpp}
    COMMAND ${CMAKE_COMMAND} "-DOUT=${out_cpp}" "-DSPEC=${spec}" -P ${CIRCLECDN_EMBED_SCRIPT}
    DEPENDS ${depends} ${CIRCLECDN_EMBED_SCRIPT}
    COMMENT "Embedding browser files into ${out_cpp}"
    VERBATIM)
  target_sources(${target} PRIVATE ${out_cpp})
endfunction()
