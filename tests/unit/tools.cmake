# bttctl's commands, run in-process through btt::ctl::run; bttload's library (btt_load).
target_sources(unit_tests PRIVATE
    unit/tools/bttctl_tron_test.cpp
    unit/tools/bttload_test.cpp
)
target_link_libraries(unit_tests PRIVATE btt_ctl btt_load)
