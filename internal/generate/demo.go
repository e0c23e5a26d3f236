package generate

// DemoFormat is the custom (version 5) format of the demo data (flowlens
// demo, the browser tests and the graph benchmark): the interface metadata
// puts addresses in subnets and VPCs, and the flow direction and AWS
// services show in the graph.
const DemoFormat = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} " +
	"${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} ${subnet-id} ${instance-id} ${tcp-flags} " +
	"${type} ${pkt-srcaddr} ${pkt-dstaddr} ${region} ${az-id} ${flow-direction} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${traffic-path}"
