using ViTok.IO;

namespace ViTok.Data;

/// <summary>What a worker made of one work item: a sample, a skip, or a fatal error (a setup problem such as missing
/// ffmpeg, re-thrown on the consumer). <see cref="Position"/> is the item's place in the epoch order.</summary>
internal sealed record ItemOutcome(long Position, Sample? Sample, BadItemException? Skip, Exception? Fatal)
{
    public static ItemOutcome Run(long position, string source, Func<Sample> decode)
    {
        try
        {
            return new ItemOutcome(position, decode(), null, null);
        }
        catch (BadItemException e)
        {
            return new ItemOutcome(position, null, e, null);
        }
        catch (ViTokException e)
        {
            return new ItemOutcome(position, null, null, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ItemOutcome(position, null, new BadItemException(source, SkipReason.IoError, e.Message), null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new ItemOutcome(position, null, new BadItemException(source, SkipReason.Error, $"{e.GetType().Name}: {e.Message}"), null);
        }
    }
}
