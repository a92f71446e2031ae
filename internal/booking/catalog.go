package booking

// CatalogTx is the store's part for team members, services and schedules.
type CatalogTx interface{}
