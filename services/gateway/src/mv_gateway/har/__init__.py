"""HAR import: a browser's (or k6 Studio's) recording of requests becomes a preview of one
journey of the project's endpoints — assets and other hosts set aside with the reason, think
times from the recording, values an answer gave and a later request sent back offered as
extractions — before anything is saved; the builder takes the steps from there."""
