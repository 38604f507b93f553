#!/usr/bin/env bash
# The GitHub Action's step (action.yml): maps the action's inputs to the
# suite's variables, runs `make conformance` from the action's own checkout,
# appends summary.md to the job summary and exits with the run's status.
set -uo pipefail

root=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: run.sh is the step of the chatconform action}
workspace=${GITHUB_WORKSPACE:-$PWD}

# Paths the user gives are relative to their workspace, not to the action
# (make runs in the action's directory).
abs() {
	case $1 in
	/*) printf '%s' "$1" ;;
	*) printf '%s/%s' "$workspace" "$1" ;;
	esac
}

# Secrets stay out of the log even when they did not come from secrets.*.
if [ "${GITHUB_ACTIONS:-}" = true ]; then
	for s in "${INPUT_CONNECTION_STRING:-}" "${INPUT_TOKEN:-}"; do
		[ -n "$s" ] && echo "::add-mask::$s"
	done
fi

set_var() { [ -n "$2" ] && export "$1=$2"; return 0; }
set_var ACS_CONNECTION_STRING "${INPUT_CONNECTION_STRING:-}"
set_var CHAT_ENDPOINT "${INPUT_ENDPOINT:-}"
set_var CHAT_TOKEN "${INPUT_TOKEN:-}"
set_var CHAT_API_VERSION "${INPUT_API_VERSION:-}"
[ -n "${INPUT_WAIVERS:-}" ] && export CHAT_WAIVERS="$(abs "$INPUT_WAIVERS")"
[ -n "${INPUT_BASELINE:-}" ] && export CHAT_BASELINE="$(abs "$INPUT_BASELINE")"
CHAT_REPORT_DIR=$(abs "${INPUT_REPORT_DIR:-chatconform-reports}")
export CHAT_REPORT_DIR
# No .env of the action's checkout: the inputs are the configuration.
export CHAT_ENV_FILE=/dev/null

status=0
make --no-print-directory -C "$root" conformance || status=$?

summary=$CHAT_REPORT_DIR/summary.md
if [ -f "$summary" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
	cat "$summary" >>"$GITHUB_STEP_SUMMARY"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
	verdict=$(sed -n 's/^  "verdict": "\(.*\)",$/\1/p' "$CHAT_REPORT_DIR/results.json" 2>/dev/null | head -n1)
	{
		echo "verdict=${verdict:-INCOMPLETE}"
		echo "report-dir=$CHAT_REPORT_DIR"
	} >>"$GITHUB_OUTPUT"
fi
exit "$status"
