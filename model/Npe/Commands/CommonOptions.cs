using System.CommandLine;
using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Cli.Commands;

/// <summary>Options shared by several commands, defined once so they read the same everywhere.</summary>
static class CommonOptions
{
    public static Option<string> Device()
    {
        var option = new Option<string>("--device")
        {
            Description = "Where to run: auto (CUDA when available), cpu or cuda.",
            DefaultValueFactory = _ => "auto",
        };
        option.AcceptOnlyFromAmong(NeuralPhotoEdit.Devices.Choices);
        return option;
    }

    public static Option<string?> Model() => NotEmpty(new Option<string?>("--model")
    {
        Description = "Model file (.safetensors). Default: the bundled model.",
    });

    /// <summary>Refuses an empty value (<c>--model ''</c> is a mistake, not a request for the default).</summary>
    public static Option<string?> NotEmpty(Option<string?> option)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Any(t => string.IsNullOrWhiteSpace(t.Value)))
                result.AddError($"{option.Name} needs a file name; it was empty.");
        });
        return option;
    }

    /// <summary>A rectangle written x,y,width,height in pixels; anything else is refused in words.</summary>
    public static Option<PixelRect?> Rectangle(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "x,y,width,height",
        CustomParser = result =>
        {
            string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            var parts = text.Split(',');
            var values = new int[parts.Length];
            if (parts.Length == 4 && parts.Select((p, i) => int.TryParse(p.Trim(), out values[i])).All(ok => ok))
                return new PixelRect(values[0], values[1], values[2], values[3]);
            result.AddError($"{name} is written x,y,width,height in pixels (got '{text}').");
            return null;
        },
    };

    /// <summary>Accepts an enum option's names only: System.CommandLine would also take the enum's numbers
    /// (<c>--blend 1</c>), which name nothing a user sees.</summary>
    public static Option<T> NamesOnly<T>(Option<T> option) where T : struct, Enum
    {
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
                // A number parses as an enum; anything else that is no name gets the parser's own message.
                if (long.TryParse(token.Value, out _))
                    result.AddError($"{option.Name} must be one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))} (got " +
                        $"'{token.Value}').");
        });
        return option;
    }

    public static Option<int> Seed(int defaultValue = 0) => new("--seed")
    {
        Description = "Random seed (same seed, same result).",
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<double> StepSize() => new("--step-size")
    {
        Description = $"Latent step size η: latent distance per step (0–{NeuralPhotoEdit.Editing.EditSettings.MaxStepSize}).",
        DefaultValueFactory = _ => NeuralPhotoEdit.Editing.EditSettings.DefaultStepSize,
    };

    public static Option<double> ColourMatch() => new("--colour-match")
    {
        Description = "Share (0–1) of the colour difference the model leaves under the strokes that is added as a smooth colour shift (guided " +
            "blend only); 0 = the model's change alone, as in the paper.",
        DefaultValueFactory = _ => NeuralPhotoEdit.Editing.EditSettings.DefaultColourMatch,
    };

    public static Option<double> Smoothing() => new("--smoothing")
    {
        Description = "How far the model's change is evened out along the photo's flat areas (stopping at its edges), in half the strokes' width " +
            "(0–4; guided and detail blends); 0 = the change as the decoder drew it.",
        DefaultValueFactory = _ => NeuralPhotoEdit.Editing.EditSettings.DefaultSmoothing,
    };

    public static Option<double> Context() => new("--context")
    {
        Description = "How far the photo follows the edit (0–1): 0 changes only the strokes' surroundings; above 0 the model also sees the whole " +
            "photo (or --roi) and this share of its change there is added (1: all of it — a sky painted orange warms the land).",
        DefaultValueFactory = _ => NeuralPhotoEdit.Editing.EditSettings.DefaultContext,
    };

    public static Option<int> RefineSteps() => new("--refine-steps")
    {
        Description = "Adam steps that refine the encoder's code of the photo toward it before editing (0 = the encoder's code, as in the paper).",
        DefaultValueFactory = _ => NeuralPhotoEdit.Networks.PhotoCodes.DefaultRefinementSteps,
    };

    public static Option<bool> Json() => new("--json") { Description = "Print the result as one JSON line." };
}
