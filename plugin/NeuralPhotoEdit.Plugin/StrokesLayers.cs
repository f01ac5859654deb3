using PaintDotNet.Effects;

namespace NeuralPhotoEdit.Plugin;

/// <summary>
/// The strokes layer as the dialog offers it and the effect finds it: each layer by its position and name
/// ("2: Strokes", counted from the bottom as Paint.NET numbers new layers), so two layers of one name stay
/// apart; a renamed or moved layer, or Repeat Effect in another image, is found by its name when that is
/// unambiguous, and otherwise refused in words.
/// </summary>
static class StrokesLayers
{
    public const string LayerAbove = "(the layer above this one)";

    public static object[] Choices(IReadOnlyList<IEffectLayerInfo> layers) =>
        [LayerAbove, .. layers.Select((layer, index) => (object)Label(index, layer.Name))];

    static string Label(int index, string name) => $"{index + 1}: {name}";

    /// <summary>The index of the layer a choice names, or -1 when there is none (above the top layer);
    /// a choice that no longer names one layer is a problem for the user.</summary>
    public static int Resolve(string choice, IReadOnlyList<IEffectLayerInfo> layers, int current)
    {
        if (choice == LayerAbove) return current + 1 < layers.Count ? current + 1 : -1;
        int colon = choice.IndexOf(": ", StringComparison.Ordinal);
        string name = colon < 0 ? choice : choice[(colon + 2)..];
        if (colon > 0 && int.TryParse(choice[..colon], out int number) && number >= 1 && number <= layers.Count
            && layers[number - 1].Name == name)
            return number - 1;
        var named = Enumerable.Range(0, layers.Count).Where(i => layers[i].Name == name).ToArray();
        return named.Length switch
        {
            1 => named[0],
            0 => throw new UserInputException($"The strokes layer \"{name}\" is not in this image: open Neural Photo Edit's dialog and pick the " +
                $"strokes layer again."),
            _ => throw new UserInputException($"Several layers are named \"{name}\": open Neural Photo Edit's dialog and pick the strokes layer " +
                $"again."),
        };
    }
}
