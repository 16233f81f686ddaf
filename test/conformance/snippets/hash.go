// The Go snippet of the customer docs, run as a customer's server runs it: the line below becomes the
// docs' block, from its import block to the end of InviaroUserHash (test/harness/docs-programs.ts); the package
// clause, the first import block and main are ours: a JSON array of user ids on stdin, one digest a line out.
package main

import (
	"encoding/json"
	"fmt"
)

// docs: docs/customer-promise.md § Server-side examples (as the page gives them) (go)

func main() {
	var userIds []string
	if err := json.NewDecoder(os.Stdin).Decode(&userIds); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, userId := range userIds {
		fmt.Println(InviaroUserHash(userId))
	}
}
