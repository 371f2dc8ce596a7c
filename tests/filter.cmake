# The event filter's tests (FilterCriteria), included from tests/CMakeLists.txt.
nanofaas_test(filter_values_test)
nanofaas_test(filter_operators_test)
nanofaas_test(filter_compile_test)
nanofaas_test(filter_records_test)
nanofaas_test(filter_conformance_test)
# The shared conformance cases (filter_cases.json). The environment variable of the same name,
# when set, overrides this at run time; when neither exists, the conformance test is skipped.
set(NANOFAAS_CONFORMANCE_DIR "${PROJECT_SOURCE_DIR}/../shared/conformance"
    CACHE PATH "Directory holding filter_cases.json")
target_compile_definitions(filter_conformance_test
  PRIVATE NANOFAAS_CONFORMANCE_DIR="${NANOFAAS_CONFORMANCE_DIR}")
