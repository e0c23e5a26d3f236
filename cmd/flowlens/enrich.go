package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/flowlens/flowlens/internal/enrich"
	"github.com/flowlens/flowlens/internal/generate"
)

// enrichFlags name known addresses and subnets: --aliases and --inventory.
type enrichFlags struct {
	aliases, inventory string
}

func (e *enrichFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&e.aliases, "aliases", "", "YAML or CSV file naming known addresses and CIDRs")
	fs.StringVar(&e.inventory, "inventory", "", "inventory.json of `flowlens generate`: names interfaces and places addresses in subnets")
}

// load returns the aliases (of both files) and the subnets of the inventory.
func (e *enrichFlags) load() (*enrich.Aliases, *enrich.Subnets, error) {
	var aliases *enrich.Aliases
	var subnets *enrich.Subnets
	if e.inventory != "" {
		inv, err := generate.ReadInventoryFile(e.inventory)
		if err != nil {
			return nil, nil, fmt.Errorf("--inventory: %w", err)
		}
		if aliases, err = enrich.FromInventory(inv); err != nil {
			return nil, nil, fmt.Errorf("--inventory %s: %w", e.inventory, err)
		}
		if subnets, err = enrich.SubnetsFromInventory(inv); err != nil {
			return nil, nil, fmt.Errorf("--inventory %s: %w", e.inventory, err)
		}
	}
	if e.aliases != "" {
		more, err := enrich.LoadAliases(e.aliases)
		if err != nil {
			return nil, nil, err
		}
		if aliases, err = enrich.Merge(aliases, more); err != nil {
			return nil, nil, fmt.Errorf("--aliases %s and --inventory %s: %w", e.aliases, e.inventory, err)
		}
	}
	return aliases, subnets, nil
}
