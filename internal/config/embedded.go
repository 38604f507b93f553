package config

// AttachEmbedded points the configuration at a reference server the suite
// started itself, given its connection string: from here on the run mints
// users exactly as it would against a real resource.
func (c *Config) AttachEmbedded(connectionString string) error {
	p := &parser{env: map[string]string{"ACS_CONNECTION_STRING": connectionString}}
	cs := p.connectionString("ACS_CONNECTION_STRING")
	if len(p.problems) > 0 {
		return &Error{Problems: p.problems}
	}
	c.Connection, c.Endpoint, c.embedded = cs, cs.Endpoint, true
	return nil
}
