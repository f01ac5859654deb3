namespace NeuralPhotoEdit.Plugin;

/// <summary>
/// Why the effect can't do what was asked, thrown from the render path only when Paint.NET's error-dialog
/// service is missing (see <see cref="ProblemDialog"/>): Paint.NET then shows it as a plugin error, and the
/// document is kept.
/// </summary>
public sealed class EffectProblemException(string problem) : Exception(problem);
