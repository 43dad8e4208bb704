# vkmoe builds only against the system's packages (Debian 12 names in README.md); nothing is
# downloaded at build time. Minimum versions are the ones Debian 12 ships and we test with.
find_package(Threads REQUIRED)
find_package(Vulkan 1.3 REQUIRED)
find_program(GLSLC_EXECUTABLE glslc REQUIRED)
find_program(SPIRV_DIS_EXECUTABLE spirv-dis)
find_package(spdlog 1.10 REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
# The tokenizer's regex engine and Unicode data: Oniguruma is what Hugging Face's tokenizers
# compiles Split and ByteLevel regexes with, so tokenizer.json patterns match identically;
# utf8proc answers normalization forms, case mapping and general categories.
find_package(PkgConfig REQUIRED)
pkg_check_modules(ONIGURUMA REQUIRED IMPORTED_TARGET oniguruma>=6.9)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc>=2.6)
if(VKMOE_BUILD_TESTS)
  find_package(GTest 1.12 REQUIRED)
endif()
