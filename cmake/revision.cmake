# Writes OUT, a header defining IRQSIM_REVISION: `git describe` of the
# checkout SRC (GIT: the git program), or "unknown" outside one (a tarball).
# Run at every build (the irqsim_revision target), not at configure time,
# so that `irqsim --version` and the plots name the code that was built
# even after a pull into an existing build folder; OUT is rewritten only
# when the revision changed, so that nothing recompiles otherwise.
set(revision "unknown")
if(GIT AND EXISTS "${SRC}/.git")
    execute_process(
        COMMAND "${GIT}" -C "${SRC}" describe --always --dirty --tags
        OUTPUT_VARIABLE described
        RESULT_VARIABLE rc
        OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(rc EQUAL 0 AND described MATCHES "^[A-Za-z0-9._+-]+$")
        set(revision "${described}")
    endif()
endif()
set(text "/* Written at build time by cmake/revision.cmake. */\n#define IRQSIM_REVISION \"${revision}\"\n")
set(old "")
if(EXISTS "${OUT}")
    file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
    file(WRITE "${OUT}" "${text}")
endif()
