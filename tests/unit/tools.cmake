# bttctl's commands, run in-process through btt::ctl::run.
target_sources(unit_tests PRIVATE
    unit/tools/bttctl_tron_test.cpp
)
target_link_libraries(unit_tests PRIVATE btt_ctl)
