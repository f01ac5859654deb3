namespace NeuralPhotoEdit.Editing;

/// <summary>How the change reaches the full-resolution photo.</summary>
public enum BlendMode
{
    /// <summary>The paper's blend: the model's output, upsampled bilinearly, replaces the photo where the
    /// mask is on (Y = X + M·(G(Z) − X)). Fine texture in the changed area comes from the model.</summary>
    Paper,
    /// <summary>Only the change is upsampled bilinearly and added (Y = X + M·Δ): the photo's texture
    /// survives, but the change's own shape (and the decoder's grid pattern) shows at 64-px scale.</summary>
    Detail,
    /// <summary>The default. The change is fitted as a local colour transform of the photo on the work
    /// grid and applied to every full-resolution pixel's own colour (<see cref="GuidedTransfer"/>):
    /// edges and texture stay sharp and the decoder's grid pattern cannot reach the photo.</summary>
    Guided,
}

/// <summary>Where the change is allowed to go.</summary>
public enum MaskMode
{
    /// <summary>The paper's mask alone, M = min(k·blur_σ(mean_c |Δ|), 1): wherever the model changed
    /// its output — in practice most of the window, since the decoder changes everything a little.</summary>
    Paper,
    /// <summary>The default: the paper's mask times the photo's own structure — the affinity of each
    /// pixel to the painted ones (<see cref="EdgeAwareAffinity"/>), so the change follows the strokes
    /// into what belongs with them and stops at the photo's edges.</summary>
    EdgeAware,
}

/// <summary>
/// The editor's controls.
/// <para><b>Latent step size η</b> (the main control) is a distance in latent space per step: each step
/// moves the code Z by η along the direction that best reduces the stroke error (the normalised
/// gradient). For scale, a typical code drawn from the prior has length √100 = 10, so 20 steps of the
/// default 0.5 can move a code by at most one such length. Range 0–2; 0 changes nothing. How far each
/// step size takes the colour under the demo strokes, with the command that measures it:
/// docs/natural-edits.md, "The latent step size". EditingTests checks the default's share and that a
/// larger η moves further until there is no further to go.</para>
/// </summary>
public sealed record EditSettings
{
    public const double DefaultStepSize = 0.5, MaxStepSize = 2;
    public const int DefaultSteps = 20, MaxSteps = 500;
    public const double DefaultSigma = 0.7, MaxSigma = 8;
    public const double DefaultMaskGain = 2, MaxMaskGain = 10;
    public const double DefaultColourMatch = 0.75;
    public const double DefaultSmoothing = 2, MaxSmoothing = 4;
    public const double DefaultContext = 0.75;

    public double StepSize { get; init; } = DefaultStepSize;
    public int Steps { get; init; } = DefaultSteps;
    /// <summary>Gaussian blur of the mask, in pixels at the model's resolution (the paper's 0.7).</summary>
    public double Sigma { get; init; } = DefaultSigma;
    public BlendMode Blend { get; init; } = BlendMode.Guided;
    public MaskMode Mask { get; init; } = MaskMode.EdgeAware;
    /// <summary>
    /// Gain k in M = min(k·blur_σ(mean_c|Δ|), 1); k = 1 is the paper's mask exactly. Why the default
    /// is 2: with k = 1 a change can only show as strongly as it is large (a stroke that moves a colour
    /// by half the range gets a mask of ~0.5, so only half of it reaches the photo), which left strong
    /// edits visibly half-applied; k = 2 applies changes of a quarter of the range or more in full while
    /// small, incidental changes stay attenuated.
    /// </summary>
    public double MaskGain { get; init; } = DefaultMaskGain;
    /// <summary>
    /// Share (0–1) of the colour difference the model's change leaves under the strokes that is added
    /// as a smooth colour shift, spread like the change (<see cref="ColourMatch"/>; guided blend only).
    /// 0 is the model's change alone, as in the paper.
    /// </summary>
    public double ColourMatch { get; init; } = DefaultColourMatch;
    /// <summary>
    /// Extent of the edge-aware smoothing of the model's change (<see cref="EdgeAwareSmoothing"/>), in
    /// reaches (<see cref="WorkArea.Reach"/>: half the strokes' width); 0 = the change as the decoder drew it. Guided and detail blends only.
    /// Not in the paper. Why: the decoder's change has blotches of its own, tens of pixels wide, that follow
    /// nothing in the photo; on a flat sky they show as lighter and darker patches in the new colour.
    /// Smoothing along the photo's flat areas evens them out, and stops at the photo's edges so the
    /// change still does.
    /// </summary>
    public double Smoothing { get; init; } = DefaultSmoothing;

    /// <summary>
    /// How far the photo follows the edit (0–1). 0 is a local edit: only the strokes' surroundings
    /// change. Above 0 the model also sees the whole photo as one scene (<see cref="WorkArea.Scene"/>)
    /// and its change there — a sunset's warm light on the land below a sky painted orange — is added
    /// wherever the local edit does not reach, this much of it; 1 is the model's whole change.
    /// Not in the paper, which edits one 64×64 image and so always changes all of it.
    /// </summary>
    public double Context { get; init; } = DefaultContext;

    /// <summary>Whether the edit needs the model to see the whole scene.</summary>
    public bool SeesScene => Context > 0;

    /// <summary>The colour match's share as the step size makes it: in full from the default η up,
    /// less below it, none at η = 0 or without steps — so the main control still goes from "no
    /// change" to "bold", and 0 still changes nothing.</summary>
    public double EffectiveColourMatch => Steps == 0 ? 0 : ColourMatch * Math.Min(1, StepSize / DefaultStepSize);

    public void Validate()
    {
        if (!double.IsFinite(StepSize) || StepSize < 0 || StepSize > MaxStepSize)
            throw new UserInputException($"Latent step size must be between 0 and {MaxStepSize} (got {StepSize}).");
        if (Steps < 0 || Steps > MaxSteps) throw new UserInputException($"Steps must be between 0 and {MaxSteps} (got {Steps}).");
        if (!double.IsFinite(Sigma) || Sigma < 0 || Sigma > MaxSigma)
            throw new UserInputException($"Mask softness (sigma) must be between 0 and {MaxSigma} pixels (got {Sigma}).");
        if (!Enum.IsDefined(Blend)) throw new UserInputException($"Unknown blend mode {(int)Blend}.");
        if (!Enum.IsDefined(Mask)) throw new UserInputException($"Unknown mask mode {(int)Mask}.");
        if (!double.IsFinite(MaskGain) || MaskGain <= 0 || MaskGain > MaxMaskGain)
            throw new UserInputException($"Mask gain must be above 0 and at most {MaxMaskGain} (got {MaskGain}).");
        if (!double.IsFinite(ColourMatch) || ColourMatch < 0 || ColourMatch > 1)
            throw new UserInputException($"Colour match must be between 0 and 1 (got {ColourMatch}).");
        if (!double.IsFinite(Context) || Context < 0 || Context > 1)
            throw new UserInputException($"Context must be between 0 and 1 (got {Context}).");
        if (!double.IsFinite(Smoothing) || Smoothing < 0 || Smoothing > MaxSmoothing)
            throw new UserInputException($"Smoothing must be between 0 and {MaxSmoothing} (got {Smoothing}).");
    }
}
