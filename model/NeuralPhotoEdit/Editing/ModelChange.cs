namespace NeuralPhotoEdit.Editing;

/// <summary>
/// What the model did to each window, at the model's resolution: the change Δ = G(Z) − X̂₀, the
/// paper's mask M = min(k·blur_σ(mean_c |Δ|), 1) and the output G(Z), as flat planes
/// (windows × planes × S × S, values in [−1, 1]). The session decodes it; <see cref="EditRenderer"/>
/// carries it into the photo. Kept apart so the renderer can be driven with a change that did not
/// come from the model (<see cref="FlatShift"/>: how much of an edit is the model's).
/// </summary>
public sealed class ModelChange
{
    public ModelChange(int windows, int size, float[] change, float[] paperMask, float[] generated)
    {
        int plane = size * size;
        if (change.Length != windows * 3 * plane || generated.Length != windows * 3 * plane || paperMask.Length != windows * plane)
            throw new ArgumentException("The planes do not match the windows and the model's size.");
        (Windows, Size, Change, PaperMask, Generated) = (windows, size, change, paperMask, generated);
    }

    public int Windows { get; }
    /// <summary>The model's resolution S.</summary>
    public int Size { get; }
    /// <summary>Δ = G(Z) − X̂₀: windows × 3 × S × S.</summary>
    public float[] Change { get; }
    /// <summary>The paper's mask: windows × 1 × S × S, in [0, 1].</summary>
    public float[] PaperMask { get; }
    /// <summary>G(Z): windows × 3 × S × S (the paper's blend brings it in).</summary>
    public float[] Generated { get; }

    /// <summary>
    /// The same windows with the model's change replaced by one flat colour shift
    /// (<paramref name="shift"/>: R, G, B in [−1, 1] units) and the paper's mask by 1. Everything the
    /// renderer does after the model (affinity, smoothing, colour match, guided transfer) is then
    /// applied to a change that knows nothing of the scene: the edit's distance from this one is the
    /// model's share in it. An evaluation's ablation, not an editing tool.
    /// </summary>
    public ModelChange FlatShift(ReadOnlySpan<float> shift)
    {
        int plane = Size * Size;
        var change = new float[Change.Length];
        var generated = new float[Generated.Length];
        for (int w = 0; w < Windows; w++)
            for (int c = 0; c < 3; c++)
            {
                int o = (w * 3 + c) * plane;
                for (int i = 0; i < plane; i++)
                {
                    change[o + i] = shift[c];
                    generated[o + i] = Generated[o + i] - Change[o + i] + shift[c];
                }
            }
        var mask = new float[PaperMask.Length];
        Array.Fill(mask, 1f);
        return new ModelChange(Windows, Size, change, mask, generated);
    }
}
