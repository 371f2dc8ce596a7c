# nanofaas_target_warnings(target): strict warnings for nanofaas' own targets only.
function(nanofaas_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(NANOFAAS_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
