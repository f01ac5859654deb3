return NeuralPhotoEdit.Cli.NpeApp.Run(args);
