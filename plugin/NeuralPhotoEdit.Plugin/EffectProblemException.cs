namespace NeuralPhotoEdit.Plugin;

/// <summary>
/// Why the effect can't do what was asked, in one sentence that says what to do. Thrown from the
/// render path because that is what real Paint.NET shows: it catches the exception and opens its
/// effect-error dialog with this message, and the document is kept. (IndirectUI has no control
/// that shows text set while rendering: a footnote appears only under a check box.)
/// </summary>
public sealed class EffectProblemException(string problem) : Exception(problem);
