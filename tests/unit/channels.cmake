# Unit tests of channels/: every rule, every reason code, random ledger stories.
target_sources(unit_tests PRIVATE
    unit/channels/memo_test.cpp
    unit/channels/deposit_test.cpp
    unit/channels/proof_test.cpp
    unit/channels/receipt_test.cpp
    unit/channels/codes_test.cpp
    unit/channels/lifecycle_test.cpp
    unit/channels/settlement_test.cpp
    unit/channels/conservation_test.cpp
    unit/channels/property_test.cpp
)
target_link_libraries(unit_tests PRIVATE btt_channels)
