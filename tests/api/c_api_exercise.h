/* The C side of c_api_test.cpp: every call of vkmoe.h, from C. */
#ifndef VKMOE_TESTS_API_C_API_EXERCISE_H_
#define VKMOE_TESTS_API_C_API_EXERCISE_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when every check passed; else 0 with the first failed check in `failure`. */
int vkmoe_c_api_exercise(const char* model_path, char* failure, size_t failure_capacity);

#ifdef __cplusplus
}
#endif

#endif
