// appctl is the benchmark image's Go command-line tool: cobra, YAML config, logrus. It
// exists for its module build info (a realistic dependency set), not to run.
package main

import (
	"os"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

type config struct {
	Name    string            `yaml:"name"`
	Workers int               `yaml:"workers"`
	Labels  map[string]string `yaml:"labels"`
}

func main() {
	root := &cobra.Command{Use: "appctl", Short: "Checks the application's configuration"}
	root.AddCommand(&cobra.Command{
		Use:  "check FILE",
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			raw, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			var c config
			if err := yaml.Unmarshal(raw, &c); err != nil {
				return err
			}
			logrus.WithFields(logrus.Fields{"name": c.Name, "workers": c.Workers}).Info("config ok")
			return nil
		},
	})
	if err := root.Execute(); err != nil {
		os.Exit(1)
	}
}
