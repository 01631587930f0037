# deploy/ (issue 13): the alert rules (promtool), the example configuration against the
# real bttnode, a real Prometheus scraping a running node, the systemd unit; and a small
# tools/demo run. Label `deploy` (the demo: `demo`); the ones that start a node also `e2e`.
# promtool and prometheus come from Debian's prometheus package (tools/install-deps).

set(BTT_DEPLOY_DIR ${PROJECT_SOURCE_DIR}/deploy)
set(BTT_DEPLOY_TESTS ${CMAKE_CURRENT_SOURCE_DIR}/deploy)

add_test(NAME deploy_prometheus_rules
         COMMAND bash ${BTT_DEPLOY_TESTS}/rules_test.sh ${BTT_DEPLOY_DIR}/prometheus)
set_tests_properties(deploy_prometheus_rules PROPERTIES LABELS deploy TIMEOUT 120)

add_test(NAME deploy_example_config
         COMMAND bash ${BTT_DEPLOY_TESTS}/config_keys_test.sh $<TARGET_FILE:bttnode>
                 $<TARGET_FILE:bttctl> ${BTT_DEPLOY_DIR}/bttnode.example.toml)
set_tests_properties(deploy_example_config PROPERTIES LABELS deploy TIMEOUT 120)

add_test(NAME deploy_prometheus_scrape
         COMMAND bash ${BTT_DEPLOY_TESTS}/prometheus_scrape_test.sh ${PROJECT_SOURCE_DIR}
                 ${CMAKE_BINARY_DIR})
set_tests_properties(deploy_prometheus_scrape PROPERTIES LABELS "deploy;e2e" TIMEOUT 300)

# systemd-analyze (package systemd) parses and rates the unit where it is installed;
# the directive checks run everywhere.
find_program(BTT_SYSTEMD_ANALYZE systemd-analyze)
if(BTT_SYSTEMD_ANALYZE)
    add_test(NAME deploy_systemd_unit
             COMMAND bash ${BTT_DEPLOY_TESTS}/systemd_unit_test.sh ${BTT_DEPLOY_DIR}/bttnode.service
                     $<TARGET_FILE:bttnode> ${BTT_SYSTEMD_ANALYZE})
else()
    message(STATUS "systemd-analyze not found: deploy_systemd_unit checks the unit's directives only")
    add_test(NAME deploy_systemd_unit
             COMMAND bash ${BTT_DEPLOY_TESTS}/systemd_unit_test.sh ${BTT_DEPLOY_DIR}/bttnode.service)
endif()
set_tests_properties(deploy_systemd_unit PROPERTIES LABELS deploy TIMEOUT 60)

# The small demo of issue 13 (tools/test runs it through CTest): tools/demo --payers 10
# --seconds 5, the whole system end to end; fails when the demo fails any check or its
# --json report lacks a promised field. Run alone: its timings would suffer beside other
# tests on a small machine.
add_test(NAME demo_small
         COMMAND bash ${BTT_DEPLOY_TESTS}/demo_test.sh ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR})
set_tests_properties(demo_small PROPERTIES LABELS "demo;e2e" TIMEOUT 600 RUN_SERIAL TRUE)
