#!/bin/sh
echo "coverage tools are not available in this offline build; run 'bazel test' without --collect_code_coverage" >&2
exit 1
