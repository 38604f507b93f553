package report

import (
	"runtime"

	"golang.org/x/sync/errgroup"
)

// onEveryCore calls f(i) for every i below n, in chunks of 16 spread over
// the cores (a run's reports hold hundreds of specs, each worth decoding or
// encoding apart), and returns the first error.
func onEveryCore(n int, f func(i int) error) error {
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	const chunk = 16
	for lo := 0; lo < n; lo += chunk {
		g.Go(func() error {
			for i := lo; i < min(lo+chunk, n); i++ {
				if err := f(i); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return g.Wait()
}
