# Unit tests of ledger/ (issue 12): the btt-ledger/1 format, CSV and the offline verifier.
target_sources(unit_tests PRIVATE
    unit/ledger/ledger_format_test.cpp
    unit/ledger/ledger_verify_test.cpp
    unit/ledger/bttctl_audit_verify_test.cpp
)
target_link_libraries(unit_tests PRIVATE btt_ledger)
