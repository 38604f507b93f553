package participants

import (
	. "github.com/onsi/ginkgo/v2"

	. "github.com/chatconform/chatconform/internal/framework"
)

// STATE-01 is one spec per api-version: the generated sequences, their
// model and their shrinking are the framework's (stateful.go), since they
// judge every response through the request helpers every spec uses.
var _ = Certify("Model-based sequences", func() {
	Assert("STATE-01", "lists, after any generated sequence of adds, removes and listings, exactly the model of the thread's membership", func(ctx SpecContext) {
		RunStateful(ctx)
	})
})
