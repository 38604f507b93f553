// Package action holds the tests of the GitHub Action at the repository
// root (action.yml and action/run.sh): its metadata against the documented
// keys, and its script run as a runner would, offline, against the embedded
// reference server.
package action
