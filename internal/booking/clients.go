package booking

// ClientTx is the store's part for clients (filled in by the clients work).
type ClientTx interface{}
