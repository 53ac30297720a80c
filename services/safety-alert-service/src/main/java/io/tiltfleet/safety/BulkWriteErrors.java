package io.tiltfleet.safety;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import java.util.List;

/** The per-document errors of a MongoDB bulk write, whatever Spring translated its failure to. */
public final class BulkWriteErrors {

    private BulkWriteErrors() {
    }

    /** The per-document errors of a bulk write that reached the server; null for any other failure. */
    public static List<BulkWriteError> of(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof MongoBulkWriteException bulk && bulk.getWriteConcernError() == null) {
                return bulk.getWriteErrors();
            }
        }
        return null;
    }
}
