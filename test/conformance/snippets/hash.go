// Docs → Identity verification → Server-side examples → Go. From the docs' import block to the
// end of InviaroUserHash the text is copied verbatim; the package clause, the first import block
// and main are ours: a JSON array of user ids on stdin, one digest a line out.
package main

import (
	"encoding/json"
	"fmt"
)

import (
    "crypto/hmac"
    "crypto/sha256"
    "encoding/hex"
    "os"
)

func InviaroUserHash(userId string) string {
    h := hmac.New(sha256.New, []byte(os.Getenv("INVIARO_WIDGET_SECRET")))
    h.Write([]byte(userId))
    return hex.EncodeToString(h.Sum(nil))
}

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
