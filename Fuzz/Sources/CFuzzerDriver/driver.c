/* Only the declaration in include/fuzzer_driver.h; libFuzzer (-sanitize=fuzzer) defines it. */
#include "fuzzer_driver.h"
